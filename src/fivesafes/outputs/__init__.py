"""Safe outputs: aggregate outputs computed inside the workspace together with their disclosure
checks (threshold, dominance, class disclosure, extremes, degrees of freedom), suppression that
is verified by an interval attack, differencing across a project's outputs, and ACRO/SACRO
``results.json`` interchange.
"""
