"""Partner merchants' side: a secret-link phone page to prepare their goods of the store's orders."""
