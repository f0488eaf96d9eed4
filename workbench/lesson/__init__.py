"""The lesson: the lecture's figures and claims regenerated from the workbench's own runs.

(Being written: see issue 7.)
"""
