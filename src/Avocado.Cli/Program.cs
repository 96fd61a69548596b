using TorchSharp;
var t = torch.randn(1024, 1024);
var sw = System.Diagnostics.Stopwatch.StartNew();
for (int i = 0; i < 10; i++) t.matmul(t);
Console.WriteLine($"{10 * 2.0 * 1024 * 1024 * 1024 / sw.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s");
