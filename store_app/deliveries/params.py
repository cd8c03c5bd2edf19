"""A store's delivery settings as the plain values that the quote and the dispatcher's planner take.

One place for both, so the promise quoted to a resident and the plan the dispatcher makes use the
same speed, detour and hand-over time.
"""
from dispatch.model import Params

from . import rules


def quote_params(store):
    """The store's quote settings as ``rules.QuoteParams``."""
    return rules.QuoteParams(
        promise_min=store.promise_minutes, pick_base_min=store.pick_base_min,
        pick_per_item_s=store.pick_per_item_s, speed_m_per_min=store.courier_speed_m_per_min,
        detour_factor=store.detour_factor, handover_min=store.courier_handover_min)


def planner_params(store):
    """The planner's ``dispatch.model.Params`` from the same settings: the promise is its target (twice
    the promise its hard limit), a cycle is the store's dispatch interval."""
    quote = quote_params(store)
    return Params(speed_m_per_min=quote.speed_m_per_min, detour_factor=quote.detour_factor,
                  round_travel_up=False, pickup_service_min=1.0, dropoff_service_min=quote.handover_min,
                  target_min=quote.promise_min, max_min=2 * quote.promise_min,
                  cycle_min=store.dispatch_interval_s / 60.0)
