"""The close of month: the payment agent's statement against our payments, and the public-funds transfer."""
