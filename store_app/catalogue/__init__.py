"""The catalogue: categories, products, the store's own and partner merchants' goods, stock."""
