"""Breakfast preorders: order before the cutoff, collect in the morning with a code; school-day
subscriptions that follow China's calendar and the store's own; the kitchen's prep sheet and labels."""
