"""Growth: coupons, campaigns and segments, points and tiers, referrals, scenario pushes.

It stands above the base (accounts, stores, catalogue, wallet, notifications) and below every line of
business: delivery and pickup orders, breakfast and service bookings price their checkouts here
(``coupons``) and tell it what a resident paid for (``purchases``). It never imports a line.
"""
