"""One fine-tuning step of torchvision's inception_v3 layers above Mixed_6e (Mixed_7a, 7b, 7c,
global average pool, a 2-class fc), made to match blastscan's form: BatchNorm folded and
frozen means each BasicConv2d is conv + bias + ReLU, so bn becomes Identity and the conv gets
a bias. Forward, cross-entropy, backward, Adam. Usage: train_step.py BATCH THREADS STEPS"""
import sys
import time

import torch
import torchvision

batch, threads, steps = (int(a) for a in sys.argv[1:4])
torch.set_num_threads(threads)
torch.manual_seed(0)
net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
for module in net.modules():
    if isinstance(module, torchvision.models.inception.BasicConv2d):
        module.bn = torch.nn.Identity()
        module.conv.bias = torch.nn.Parameter(torch.zeros(module.conv.out_channels))
top = torch.nn.Sequential(net.Mixed_7a, net.Mixed_7b, net.Mixed_7c, torch.nn.AdaptiveAvgPool2d(1),
                          torch.nn.Flatten(), torch.nn.Dropout(0.2), torch.nn.Linear(2048, 2))
top.train()
optimizer = torch.optim.Adam(top.parameters(), lr=1e-4)
x = torch.rand(batch, 768, 17, 17)
y = torch.arange(batch) % 2
times = []
for step in range(steps + 2):  # two warm-up steps
    start = time.perf_counter()
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(top(x), y)
    loss.backward()
    optimizer.step()
    if step >= 2:
        times.append((time.perf_counter() - start) * 1000)
times.sort()
median = times[len(times) // 2]
print(f"pytorch {torch.__version__}: Mixed_7a..7c + fc, batch {batch}, {threads} threads: "
      f"median {median:.1f} ms/step (min {times[0]:.1f}), {median / batch:.2f} ms/image")
