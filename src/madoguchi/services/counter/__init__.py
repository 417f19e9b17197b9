"""The counter's own work: sales, payments, receipts, refunds, incidents, stations and the day lock."""
