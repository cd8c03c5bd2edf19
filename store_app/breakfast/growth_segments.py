"""Breakfast tells growth who the breakfast parents are: growth stands below the line and cannot
read its subscriptions, so the line registers a provider for the ``breakfast_parents`` segment when
it is imported (``create_app`` imports this module)."""
from ..extensions import db
from ..growth import segments
from ..stores.operations import get_store
from . import rules
from .models import Subscription


def subscribed_parents(store_id, now):
    """The parents of the store with an active subscription that has not ended by today (store time)."""
    today = rules.local_today(now, get_store(store_id).timezone)
    return set(db.session.scalars(db.select(Subscription.parent_id).where(
        Subscription.store_id == store_id, Subscription.status == "active", Subscription.ends_on >= today)))


segments.provide("breakfast_parents", subscribed_parents)
