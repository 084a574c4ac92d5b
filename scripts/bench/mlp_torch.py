#!/usr/bin/env python3
"""PyTorch reference for scripts/bench/mlp.ts: the same 5-64-64-64-1 ReLU MLP, BCE-with-logits,
Adam 1e-3, batch 128, reshuffled each epoch, on the same standardised float32 events.
Usage: mlp_torch.py <dir with train_x.f32 train_y.f32 test_x.f32 test_y.f32> <cols> <epochs> <threads>
Prints one JSON line: seconds per epoch (each epoch) and the test AUC after the last epoch."""
import json, sys, time
import numpy as np
import torch

d, cols, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(1)
load = lambda n, c: torch.from_numpy(np.fromfile(f"{d}/{n}.f32", dtype="<f4").reshape(-1, c))
xtr, ytr, xte, yte = load("train_x", cols), load("train_y", 1), load("test_x", cols), load("test_y", 1)
net = torch.nn.Sequential(torch.nn.Linear(cols, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                          torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
lossf = torch.nn.BCEWithLogitsLoss()
n = xtr.shape[0]
times = []
for e in range(epochs):
    t = time.perf_counter()
    perm = torch.randperm(n)
    for s in range(0, n, 128):
        idx = perm[s:s + 128]
        opt.zero_grad()
        loss = lossf(net(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
    times.append(time.perf_counter() - t)
with torch.no_grad():
    t = time.perf_counter()
    z = net(xte).numpy().ravel()
    infer = time.perf_counter() - t
y = yte.numpy().ravel()
order = np.argsort(z, kind="mergesort")
ranks = np.empty(len(z)); ranks[order] = np.arange(1, len(z) + 1)
npos = y.sum(); auc = (ranks[y == 1].sum() - npos * (npos + 1) / 2) / (npos * (len(y) - npos))
print(json.dumps({"threads": threads, "epochSeconds": times, "auc": float(auc), "inferEventsPerSecond": len(z) / infer}))
