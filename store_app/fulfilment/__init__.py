"""Fulfilment: an order's life after checkout. The only writer that moves an order and its delivery
task together (``moves``), in one fixed lock order (order, then task), by one table of transitions
(``transitions``): the counter's steps, the courier's, the dispatcher's assignments and predictions,
cancellations and failed deliveries, with the order board, the dispatch board and the courier's page."""
