"""PyTorch reference for scripts/bench/flow.ts: the same conditional MAF (MADE with ReLU, condition
into every first-layer hidden unit, affine with log-scale, batch norm with log-det, reversal),
AdamW, trained for a given number of epochs on the events the TypeScript benchmark wrote.

usage: flow_torch.py EVENTS.f32 N_EVENTS THREADS [BLOCKS HIDDEN BATCH EPOCHS]
prints one JSON line: {"threads", "events_per_s", "epoch_s", "sample_events_per_s", "loss"}
"""
import json, math, sys, time
import numpy as np
import torch
import torch.nn as nn

path, n, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
blocks = int(sys.argv[4]) if len(sys.argv) > 4 else 15
hidden = int(sys.argv[5]) if len(sys.argv) > 5 else 128
batch = int(sys.argv[6]) if len(sys.argv) > 6 else 256
epochs = int(sys.argv[7]) if len(sys.argv) > 7 else 1
torch.set_num_threads(threads)
torch.manual_seed(0)
raw = np.fromfile(path, dtype=np.float32).reshape(n, 5)
X = torch.from_numpy(raw[:, :4].copy())
M = torch.from_numpy(raw[:, 4:5].copy())
D, C, H = 4, 1, hidden


def degrees():
    return torch.tensor([math.floor(j * (D - 1) / H) for j in range(H)])


class MaskedLinear(nn.Module):
    def __init__(self, n_in, n_out, mask, cond=0):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.register_buffer('mask', mask)
        self.cond = nn.Linear(cond, n_out, bias=False) if cond else None

    def forward(self, x, c=None):
        out = nn.functional.linear(x, self.linear.weight * self.mask, self.linear.bias)
        if self.cond is not None:
            out = out + self.cond(c)
        return out


class MADE(nn.Module):
    def __init__(self):
        super().__init__()
        dh = degrees()
        din = torch.arange(D)
        dout = torch.arange(2 * D) % D
        self.l1 = MaskedLinear(D, H, (dh[:, None] >= din[None, :]).float(), C)
        self.l2 = MaskedLinear(H, H, (dh[:, None] >= dh[None, :]).float())
        self.l3 = MaskedLinear(H, 2 * D, (dout[:, None] > dh[None, :]).float())

    def forward(self, x, c):
        h = torch.relu(self.l1(x, c))
        h = torch.relu(self.l2(h))
        m, a = self.l3(h).chunk(2, 1)
        return (x - m) * torch.exp(-a), -a.sum(-1)

    def inverse(self, u, c):
        x = torch.zeros_like(u)
        for d in range(D):
            h = torch.relu(self.l1(x, c))
            h = torch.relu(self.l2(h))
            m, a = self.l3(h).chunk(2, 1)
            x[:, d] = u[:, d] * torch.exp(a[:, d]) + m[:, d]
        return x


class BatchNormFlow(nn.Module):
    def __init__(self, momentum=0.1, eps=1e-5):
        super().__init__()
        self.log_gamma = nn.Parameter(torch.zeros(D))
        self.beta = nn.Parameter(torch.zeros(D))
        self.momentum, self.eps = momentum, eps
        self.register_buffer('rm', torch.zeros(D))
        self.register_buffer('rv', torch.ones(D))

    def forward(self, x):
        if self.training:
            mean = x.mean(0)
            var = (x - mean).pow(2).mean(0)
            with torch.no_grad():
                self.rm.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.rv.mul_(1 - self.momentum).add_(self.momentum * var)
        else:
            mean, var = self.rm, self.rv
        s = torch.sqrt(var + self.eps)
        y = (x - mean) / s * torch.exp(self.log_gamma) + self.beta
        return y, (self.log_gamma - torch.log(s)).sum().expand(x.shape[0])

    def inverse(self, y):
        s = torch.sqrt(self.rv + self.eps)
        return (y - self.beta) / torch.exp(self.log_gamma) * s + self.rm


class Flow(nn.Module):
    def __init__(self):
        super().__init__()
        self.made = nn.ModuleList([MADE() for _ in range(blocks)])
        self.bn = nn.ModuleList([BatchNormFlow() for _ in range(blocks)])

    def log_prob(self, x, c):
        ld = torch.zeros(x.shape[0])
        for made, bn in zip(self.made, self.bn):
            x, l1 = made(x, c)
            x, l2 = bn(x)
            x = x.flip(1)
            ld = ld + l1 + l2
        return (-0.5 * x.pow(2) - 0.5 * math.log(2 * math.pi)).sum(-1) + ld

    @torch.no_grad()
    def sample(self, c):
        z = torch.randn(c.shape[0], D)
        for made, bn in zip(reversed(self.made), reversed(self.bn)):
            z = made.inverse(bn.inverse(z.flip(1)), c)
        return z


flow = Flow()
for mod in flow.modules():
    if isinstance(mod, nn.Linear):
        nn.init.orthogonal_(mod.weight)
        if mod.bias is not None:
            mod.bias.data.fill_(0)
opt = torch.optim.AdamW(flow.parameters(), lr=1e-4, weight_decay=1e-6)
flow.train()
t0 = time.perf_counter()
seen = 0
for epoch in range(epochs):
    perm = torch.randperm(n)
    for s in range(0, n - 1, batch):
        idx = perm[s:s + batch]
        if len(idx) < 2:
            break
        loss = -flow.log_prob(X[idx], M[idx]).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        seen += len(idx)
dt = time.perf_counter() - t0
flow.eval()
ns = min(100_000, n)
t1 = time.perf_counter()
flow.sample(M[:ns])
ds = time.perf_counter() - t1
print(json.dumps({"threads": threads, "events_per_s": seen / dt, "epoch_s": dt / epochs,
                  "sample_events_per_s": ns / ds, "loss": float(loss)}))
