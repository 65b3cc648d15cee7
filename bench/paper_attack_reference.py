#!/usr/bin/python3
"""The paper's attack loop as the official code runs it (docs/protocols.md §7): PyTorch, one image at a time, in
normalized units, the training loss, FGSM clamped to the image's own min/max, the 5-step iterative attack with the
official quirks (input gradients accumulate, no range clamp), targets from torch.manual_seed(444) drawn inside the
official `for data, target in test_loader:` loop (a new DataLoader iterator per attack and ε, which first draws its
base seed from the same generator). It attacks a model exported by `labelrep export --format pytorch`, so its time and
accuracy can be set against `labelrep attack --protocol paper --targeted both` on the same model and images.

    /usr/bin/python3 bench/paper_attack_reference.py MODEL_DIR IMAGES.idx.gz LABELS.idx.gz --limit 200
"""
import argparse, os, sys, time
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import labelrep_torch  # noqa: E402

EPSILONS = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model"); p.add_argument("images"); p.add_argument("labels")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    scores_model = labelrep_torch.load(a.model)
    net, bank = scores_model.net, scores_model.labels
    for q in net.parameters():
        q.requires_grad_(False)
    x_all = net.normalize(labelrep_torch.read_idx_images(a.images)[: a.limit])
    y_all = labelrep_torch.read_idx_labels(a.labels)[: a.limit]
    classes = len(scores_model.meta["class_names"])

    def forward(z):                      # normalized input -> raw output
        return net.head(net.features(z))

    def predict(out):                    # 1-NN by MSE for label banks, argmax for logits
        if bank is None:
            return out.argmax(1)
        return ((out.reshape(out.shape[0], 1, -1) - bank.reshape(1, classes, -1)) ** 2).mean(2).argmin(1)

    def loss(out, cls):                  # the training loss
        if bank is None:
            return F.cross_entropy(out, cls)
        return F.smooth_l1_loss(out, bank[cls])

    test_loader = DataLoader(TensorDataset(x_all, y_all), batch_size=1, shuffle=False)
    results, start = {}, time.perf_counter()
    for name in ("fgsm", "iterative", "fgsm-targeted", "iterative-targeted"):
        targeted, iterative = name.endswith("targeted"), name.startswith("iterative")
        for eps in EPSILONS:
            gen, correct = torch.manual_seed(444), 0
            for data, y in test_loader:                              # the new iterator draws its base seed from gen
                t = torch.randint(0, classes, (1,), generator=gen)   # every image consumes a draw
                while t.item() == y.item():
                    t = torch.randint(0, classes, (1,), generator=gen)
                x = data.clone().requires_grad_(True)
                out = forward(x)
                if predict(out).item() != y.item():
                    continue
                goal, sign = (t, -1) if targeted else (y, 1)
                if not iterative:
                    l = loss(out, goal); l.backward()
                    adv = torch.max(torch.min(x + sign * eps * x.grad.sign(), x.max()), x.min())
                else:
                    x0, alpha = x.detach().clone(), eps / 5
                    for _ in range(5):
                        l = loss(out, goal); l.backward()          # x.grad is never zeroed: it accumulates
                        x.data = x0 + torch.clamp(x.data + sign * alpha * x.grad.sign() - x0, -eps, eps)
                        out = forward(x)
                    adv = x.detach()
                correct += int(predict(forward(adv)).item() == y.item())
            results[(name, eps)] = correct / a.limit
    seconds = time.perf_counter() - start
    print(f"official loop, one image at a time, PyTorch {torch.__version__}: {a.limit} images, {seconds:.1f} s")
    print(f"{'attack':20}" + "".join(f"{e:>8}" for e in EPSILONS))
    for name in ("fgsm", "iterative", "fgsm-targeted", "iterative-targeted"):
        print(f"{name:20}" + "".join(f"{100 * results[(name, e)]:7.1f}%" for e in EPSILONS))


if __name__ == "__main__":
    main()
