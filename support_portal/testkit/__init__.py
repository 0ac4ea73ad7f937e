"""What the tests and the benchmarks share: one set of factories that build rows through the
services, the live-app driver (the real backend on a free port and a Reflex websocket client),
synthetic ticket texts with known answers, sample files and the provider contract mocks.

It ships with the code so `tests/` and `bench/` can both import it; the app itself never does
(tests/unit/test_testkit_boundary.py fails if one of its modules starts to).
"""
