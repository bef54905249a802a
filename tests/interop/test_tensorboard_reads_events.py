"""TensorBoard reads blastscan's training events: tensorboard.backend.event_processing's
EventAccumulator loads the run folder of the fixture's training run and must find every scalar
tag, at every step, with the value metrics.csv has for that epoch. metrics.csv prints six
decimals and the events hold float32, hence the tolerance."""
import csv

import tensorboard
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import interop_common as common

# Event tag -> metrics.csv column (src/train/train_run.cpp writes both).
TAGS = {"loss": "train_loss", "accuracy": "train_accuracy", "validation/loss": "val_loss",
        "validation/accuracy": "val_accuracy", "learning_rate": "learning_rate"}
TOLERANCE = 1e-6


def main():
    args = common.parse_args()
    print(f"TensorBoard {tensorboard.__version__}")
    run = common.models(args)["run"]
    rows = list(csv.DictReader(open(f"{run}/metrics.csv")))
    accumulator = EventAccumulator(run, size_guidance={"scalars": 0})  # 0: keep every event
    accumulator.Reload()
    tags = accumulator.Tags()["scalars"]
    common.expect("every scalar tag is found", set(TAGS) <= set(tags), f"TensorBoard sees {sorted(tags)}")
    for tag, column in TAGS.items():
        if tag not in tags:
            continue
        events = accumulator.Scalars(tag)
        steps = [e.step for e in events]
        common.expect(f"'{tag}': one event per epoch at metrics.csv's steps", steps == [int(r["step"]) for r in rows],
                      f"{len(events)} events, {len(rows)} rows")
        if len(events) == len(rows):
            diff = max(abs(e.value - float(r[column])) for e, r in zip(events, rows))
            common.measured(f"'{tag}' vs metrics.csv '{column}', max |diff| over {len(rows)} epochs", diff, TOLERANCE)
    common.finish()


if __name__ == "__main__":
    main()
