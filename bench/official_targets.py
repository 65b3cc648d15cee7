# The official loop structure (attack_*_utils.py): gen = torch.manual_seed(444); for data, target in test_loader: randint per image,
# redrawn while it equals the true class. The DataLoader iterator draws its base seed from the same generator first.
import torch
from torch.utils.data import DataLoader, TensorDataset
labels = torch.tensor([i % 10 for i in range(20)])
loader = DataLoader(TensorDataset(torch.zeros(20, 1), labels), batch_size=1, shuffle=False)
for sweep in range(2):  # every (attack, eps) call reseeds and makes a new iterator
    gen = torch.manual_seed(444)
    targets = []
    for data, target in loader:
        t = torch.randint(0, 10, (1,), generator=gen)
        while t.item() == target.item():
            t = torch.randint(0, 10, (1,), generator=gen)
        targets.append(t.item())
    print(targets)
