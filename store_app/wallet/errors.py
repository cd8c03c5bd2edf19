"""Wallet errors, with messages in the user's language."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class WalletError(DomainError):
    message = _l("The wallet could not do that.")
    status = 409


class InsufficientFunds(WalletError):
    message = _l("Your wallet balance is not enough for this order. Top up at the counter or pay on delivery.")


class AmountInvalid(WalletError):
    message = _l("Enter an amount between ¥0.01 and ¥5,000.")
    status = 400
    field = "amount"


class BalanceChanged(WalletError):
    message = _l("The balance changed while this page was open (perhaps this top-up already went through). "
                 "Check the entries below before topping up again.")
