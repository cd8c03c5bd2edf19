"""The dispatch board's map layout, pure: every courier and drop-off in view, a courier's line to
its next stop, at-risk drop-offs drawn on top, impossible coordinates left out."""
from store_app.geo import maps

STORE = (31.2, 121.4, "Store")


def test_everything_is_in_view_and_lines_go_to_the_next_stop():
    couriers = [(7, "1", "Ann", 31.215, 121.4, (31.2, 121.4)), (8, "2", "Bo", 31.19, 121.41, None)]
    dropoffs = [(3, "#3 Far", 31.22, 121.39, True), (1, "#1 Near", 31.201, 121.401, False)]
    view = maps.board_view(STORE, couriers, dropoffs)
    places = [view.store] + view.couriers + view.dropoffs
    assert all(0 <= p.x <= view.width and 0 <= p.y <= view.height for p in places)
    ann, bo = view.couriers
    assert (ann.id, ann.tag, ann.label) == (7, "1", "Ann")
    assert (ann.to_x, ann.to_y) == (view.store.x, view.store.y)
    assert bo.to_x is None and bo.to_y is None
    assert ann.y < view.store.y  # north is up
    assert [d.id for d in view.dropoffs] == [1, 3] and view.dropoffs[-1].flagged  # at risk on top


def test_impossible_places_are_left_out():
    couriers = [(7, "1", "Ann", float("nan"), 121.4, None), (8, "2", "Bo", 31.2, 121.4, (95.0, 0.0))]
    view = maps.board_view(STORE, couriers, [(3, "#3", 200.0, 121.4, True)])
    assert [c.id for c in view.couriers] == [8] and view.couriers[0].to_x is None
    assert view.dropoffs == []
    assert view.view_box == f"0 0 {view.width} {view.height}"
