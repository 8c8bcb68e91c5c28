"""The task step of the original product: an operation run once per input record, with OutputData and
ErrorData, as a file (TOML or YAML) or the same object in Python.

Public API::

    Step                      a step (pydantic): name, description, source, connection, operation,
                              mapping (auto, references, fields), options (on_error, concurrency,
                              paginate, output, errors)
    load_step(path) -> Step   read a .toml/.yaml/.yml file; StepFileError(.problems) names each mistake
                              with its place (file:line and the dotted key)
    read_step(path) -> (Step | None, list[Problem])
                              the step and its mistakes; the step without wrong options (None past
                              mistakes a check cannot set aside), so that the rest can still be checked
    check_step(step, catalog=None, *, connections=None, variables=None, stdin=None) -> list[Problem]
                              every problem (Problem.place, Problem.message) found without calling Amazon
    step_fields(step) -> list[StepField]
                              the operation's fields (target, location, required, type, description) and
                              what fills each (mapped_from: column|fixed|variable|each|auto|None, mapped)
    new_step_text(operation, fmt="toml") -> str
                              a starting step file: the operation's fields as comments, required marked
    run_step(step, connections, *, variables=None, progress=None, output=None, errors=None, stdin=None,
             again=False)
        -> StepRunResult      the sync face of ``arun_step``; ``progress(done, total, answered, failed)``;
                              ``again``: send an input sent already again (see README "Reruns")
    StepRunResult             records, answered, failed, resumed_skipped, not_sent, output, errors
                              (targets of OutputData and ErrorData), notes (runs continued or found
                              finished), sent_already (a finished run had sent the input: nothing
                              was sent again), exit_status (0 or 3)
    output_targets(step, output=None, errors=None) -> (output, errors)
    OUTPUT                    OutputData's record set (ErrorData's is ``data.results.ERRORS``)

Modules: ``model`` (the file), ``fields`` (an operation's fields), ``transforms``, ``shaping``,
``inputs`` (sources), ``mapping``, ``check``, ``runner``, ``outputs``, ``template``.
"""

from amazon_connector.data.step.check import check_step
from amazon_connector.data.step.model import Problem, Step, StepFileError, load_step, read_step
from amazon_connector.data.step.outputs import OUTPUT, output_targets
from amazon_connector.data.step.runner import StepRunResult, arun_step, run_step
from amazon_connector.data.step.template import StepField, new_step_text, step_fields

__all__ = [
    "OUTPUT",
    "Problem",
    "Step",
    "StepField",
    "StepFileError",
    "StepRunResult",
    "arun_step",
    "check_step",
    "load_step",
    "new_step_text",
    "output_targets",
    "read_step",
    "run_step",
    "step_fields",
]
