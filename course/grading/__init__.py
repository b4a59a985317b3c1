"""Grading pipeline: workspace, collect, grade, feedback, export, report."""
