"""The lessons: helpers that one module's notebook imports.

Each module here serves the notebooks of one part of the course (loaders, small
calculations, widgets and plots for that module's exercises); none is needed by the
prose engine (:mod:`course.prose`) or the grading pipeline (:mod:`course.grading`).

======================  ==============================================
``customer``            modules 1-2: five questions, benefit checklist, section sorter
``quiz``                every module: self-check multiple-choice quizzes
``metrics``             module 4: the Weekly Business Review data and charts
``loadtest``            module 5: load-test samples, percentiles, the ORR checklist
``decisions``           module 6: Leadership Principles and door types
``readiness``           module 9: the evidence log, quarters, consistency explorer
======================  ==============================================
"""
