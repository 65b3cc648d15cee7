#!/usr/bin/python3
"""APGD-CE then APGD-T (AutoAttack's standard cascade without FAB-T and Square), written from the paper (Croce and
Hein, ICML 2020) and fra31/auto-attack's autopgd_base.py in plain PyTorch: the reviewer's reference for LabelRep's
`--suite apgd-ce,apgd-t`. L-inf, 100 iterations, 1 restart, 9 target classes, rho 0.75, momentum 0.75, step 2*eps,
checkpoints at 22% then 3% less each time down to 6%. It attacks a model exported by `labelrep export --format pytorch`
through interop/labelrep_torch.py (class scores by the model's decision rule, images in [0, 1]).

    /usr/bin/python3 bench/autoattack_reference.py MODEL_DIR IMAGES.idx.gz LABELS.idx.gz --eps 8/255 --limit 1000
Prints the robust accuracy after each attack and the seconds it took, and a last line `reference: ACC SECONDS`.
"""
import argparse, os, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import labelrep_torch  # noqa: E402


def dlr(z, y):
    s, order = z.sort(dim=1)
    top_is_y = (order[:, -1] == y).float()
    other = s[:, -2] * top_is_y + s[:, -1] * (1 - top_is_y)
    return -(z.gather(1, y[:, None])[:, 0] - other) / (s[:, -1] - s[:, -3] + 1e-12)


def dlr_targeted(z, y, t):
    s = z.sort(dim=1)[0]
    return -(z.gather(1, y[:, None])[:, 0] - z.gather(1, t[:, None])[:, 0]) / (s[:, -1] - 0.5 * (s[:, -3] + s[:, -4]) + 1e-12)


def apgd_run(model, x, y, eps, n_iter, loss_fn, rho=0.75):
    n2, nmin, decr = max(int(0.22 * n_iter), 1), max(int(0.06 * n_iter), 1), max(int(0.03 * n_iter), 1)
    t = 2 * torch.rand_like(x) - 1
    x_adv = (x + eps * t / (t.abs().flatten(1).max(1)[0].view(-1, 1, 1, 1) + 1e-12)).clamp(0, 1)

    def evaluate(z):
        z = z.clone().requires_grad_(True)
        scores = model(z)
        loss = loss_fn(scores)
        g, = torch.autograd.grad(loss.sum(), [z])
        return loss.detach(), g.detach(), scores.detach()

    loss, grad, scores = evaluate(x_adv)
    robust = scores.argmax(1) == y
    x_best_adv, x_best, grad_best, loss_best = x_adv.clone(), x_adv.clone(), grad.clone(), loss.clone()
    step = torch.full((x.shape[0], 1, 1, 1), 2 * eps)
    x_old = x_adv.clone()
    history = torch.zeros(n_iter, x.shape[0])
    k, since, last_best, reduced = n2, 0, loss_best.clone(), torch.ones_like(loss_best)
    for i in range(n_iter):
        with torch.no_grad():
            grad2 = x_adv - x_old
            x_old = x_adv
            a = 0.75 if i > 0 else 1.0
            z = torch.min(torch.max(x_adv + step * grad.sign(), x - eps), x + eps).clamp(0, 1)
            x_adv = torch.min(torch.max(x_adv + (z - x_adv) * a + grad2 * (1 - a), x - eps), x + eps).clamp(0, 1)
        loss, grad, scores = evaluate(x_adv)
        with torch.no_grad():
            fooled = scores.argmax(1) != y
            robust &= ~fooled
            x_best_adv[fooled] = x_adv[fooled]
            history[i] = loss
            better = loss > loss_best
            x_best[better], grad_best[better], loss_best[better] = x_adv[better], grad[better], loss[better]
            since += 1
            if since == k:
                rises = sum((history[i - c] > history[i - c - 1]).float() for c in range(k))  # index -1 wraps, as in the reference
                cut = torch.max((rises <= k * rho).float(), (1 - reduced) * (last_best >= loss_best).float())
                reduced, last_best = cut.clone(), loss_best.clone()
                idx = cut > 0
                step[idx] /= 2
                x_adv = x_adv.clone()
                x_adv[idx], grad[idx] = x_best[idx], grad_best[idx]
                k, since = max(k - decr, nmin), 0
    return x_best_adv, robust


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model"); p.add_argument("images"); p.add_argument("labels")
    p.add_argument("--eps", default="8/255")
    p.add_argument("--limit", type=int, default=1000)
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--targets", type=int, default=9)
    p.add_argument("--batch-size", type=int, default=250)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    eps = eval(a.eps, {"__builtins__": {}}) if "/" in a.eps else float(a.eps)
    model = labelrep_torch.load(a.model)
    for q in model.parameters():
        q.requires_grad_(False)
    x_all = labelrep_torch.read_idx_images(a.images)[: a.limit]
    y_all = labelrep_torch.read_idx_labels(a.labels)[: a.limit]
    start = time.perf_counter()
    with torch.no_grad():
        robust = torch.cat([model(x_all[i:i + a.batch_size]).argmax(1) == y_all[i:i + a.batch_size] for i in range(0, len(y_all), a.batch_size)])
    print(f"clean: {robust.float().mean().item():.4f}")
    classes = len(model.meta["class_names"])

    def cascade_step(name, run):
        nonlocal robust
        t0 = time.perf_counter()
        open_idx = robust.nonzero()[:, 0]
        for s in range(0, len(open_idx), a.batch_size):
            idx = open_idx[s:s + a.batch_size]
            still = run(x_all[idx], y_all[idx])
            robust[idx] = still
        print(f"{name}: robust {robust.float().mean().item():.4f} ({time.perf_counter() - t0:.1f} s)")

    cascade_step("apgd-ce", lambda x, y: apgd_run(model, x, y, eps, a.iterations, lambda z: F.cross_entropy(z, y, reduction="none"))[1])

    def apgd_t(x, y):
        with torch.no_grad():
            order = model(x).argsort(1, descending=True)
        still = torch.ones(len(y), dtype=torch.bool)
        for rank in range(1, min(a.targets, classes - 1) + 1):
            idx = still.nonzero()[:, 0]
            if len(idx) == 0:
                break
            target = order[idx, rank]
            yy = y[idx]
            _, r = apgd_run(model, x[idx], yy, eps, a.iterations, lambda z, yy=yy, target=target: dlr_targeted(z, yy, target))
            still[idx] = r
        return still

    cascade_step("apgd-t", apgd_t)
    seconds = time.perf_counter() - start
    print(f"reference: {robust.float().mean().item():.4f} {seconds:.1f}")


if __name__ == "__main__":
    main()
