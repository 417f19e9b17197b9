"""The close of a site-day: its checks, figures, daily sheet, adjustments and exports."""
