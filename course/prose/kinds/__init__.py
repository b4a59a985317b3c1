"""The named detectors of the kinds that need Python (``coe``, ``faq``, ``press_release``).

A kind is declared in ``course/prose/rules/<kind>.toml``; these modules only find
things a word list cannot (a timeline, questions with their answers, the sections of
a press release).  Their results are counted and scored by the rules files.
"""
