"""The article's Image 1: SGD, Momentum, RMSProp and Adam on a badly scaled bowl.

f(x, y) = ½(a·x² + y²) with a = 100: the gradient in x is 100 times steeper than in y.
All four optimizers use the same learning rate, 0.019, just below SGD's stability limit
2/a = 0.02, and start from the same point.

- SGD is dominated by the large-gradient direction x: it zig-zags across the valley and
  crawls along y; any larger rate and it blows up in x.
- Momentum remembers direction: the x oscillations partly cancel (less travel in x than
  SGD), the y progress builds up.
- RMSProp remembers scale: it divides each coordinate by its own gradient size, so x and y
  move at the same pace (a diagonal path: straight at the minimum only from a start on
  the diagonal). With a constant rate it does not settle: it keeps hopping near the
  minimum, as the final distance shows.
- Adam combines both: the same balanced path, and with its averaged first moment it settles.

The table prints what each of these sentences rests on.
"""

import numpy as np
from _common import output_folder

import tinynet as tn
from tinynet import surfaces

out = output_folder(__doc__)
surface, start, lr, steps = surfaces.Quadratic(a=100.0), (-1.2, 1.0), 0.019, 300
opts = {"SGD": tn.optimizers.SGD(lr=lr), "Momentum": tn.optimizers.Momentum(lr=lr, beta=0.9),
        "RMSProp": tn.optimizers.RMSProp(lr=lr, rho=0.9), "Adam": tn.optimizers.Adam(lr=lr)}
trajs = {name: surfaces.run(opt, surface, start=start, steps=steps) for name, opt in opts.items()}

print(f"{surface!r} from {start}, lr = {lr} for all, {steps} steps")
print(f"{'':<10}{'reaches f<1e-3':>15}{'stays below':>13}{'final f':>10}{'distance':>10}"
      f"{'x travel':>10}{'y travel':>10}")
for name, t in trajs.items():
    first, stay = t.steps_to(1e-3), t.steps_to(1e-3, stay=True)
    travel = np.abs(np.diff(t.path[:26], axis=0)).sum(axis=0)
    print(f"{name:<10}{first if first is not None else 'never':>15}"
          f"{stay if stay is not None else 'never':>13}{t.losses[-1]:>10.2e}"
          f"{np.linalg.norm(t.path[-1]):>10.2e}{travel[0]:>10.2f}{travel[1]:>10.2f}")
print("(distance: final distance to the minimum; x and y travel: summed |steps| over the "
      "first 25 steps, against 1.2 and 1.0 for a straight line)")

grid = np.geomspace(1e-3, 1.0, 31)
print("\nlargest learning rate (of 31 from 0.001 to 1) at which f still decreases:")
for name, make in (("SGD", tn.optimizers.SGD), ("Momentum", tn.optimizers.Momentum),
                   ("RMSProp", tn.optimizers.RMSProp), ("Adam", tn.optimizers.Adam)):
    ok = [r for r in grid if (lambda t: np.isfinite(t.losses[-1]) and t.losses[-1] < t.losses[0])(
        surfaces.run(make(lr=r), surface, start=start, steps=steps))]
    print(f"  {name:<9}{max(ok):.3g}")

if out:
    from tinynet.plots import plot_trajectories

    path = out / "badly_scaled_surface.png"
    plot_trajectories(surface, trajs, path,
                      title="f = ½(100x² + y²), lr = 0.019 for every optimizer",
                      widths={"RMSProp": 6})  # Adam's path lies on top of it
    print("wrote", path)
