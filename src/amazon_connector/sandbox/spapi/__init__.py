"""SP-API: one dispatcher for every operation of the catalog (``dispatch``), with the generic layers
(``access``: tokens and usage plans; ``inputs``: requests checked as the models say), the stateful
operations' handlers (``stateful``) and answers from the models' data for the others (``examples``,
``values``)."""
