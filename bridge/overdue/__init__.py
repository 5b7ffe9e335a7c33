"""Problems against their due dates: the on-time, at-risk and overdue decisions (accountability.py,
pure), the scheduled check (check_due.py) and what becoming overdue does (actions.py). Their SQL is
in bridge/storage/accountability.py."""
