"""The capacity planner (``madoguchi plan``, ``/office/plan``): a discrete-event model of a
site on SimPy (:mod:`.model`) and the comparisons the back office charts (:mod:`.compare`).
The inputs, their checks and queueing theory are pure, in ``domain/plan.py``; the model,
its assumptions and its calibration are explained in docs/planner.md.
"""
