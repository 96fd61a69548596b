using Avocado.Models.Checkpoints;
using Avocado.Models.Torch;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Training.Optim;

// Ours, not torch.optim.AdamW: fp32 master weights over bf16 parameters and bit-exact save/restore; same trajectory as torch in fp32 (AdamWTests).

/// <summary>
/// AdamW (Loshchilov &amp; Hutter; as torch.optim.AdamW): decoupled weight decay, bias-corrected moments. Parameters
/// whose names say norm, bias, embedding (or attention sinks) get no decay by default. With bf16 parameters the
/// optimizer keeps fp32 master weights and moments and writes the rounded result back after each step.
/// Its whole state is tensors plus a step count, saved to and restored from safetensors bit for bit.
/// </summary>
public sealed class AdamW : IDisposable
{
    sealed record Slot(string Name, Parameter Param, Tensor M, Tensor V, Tensor? Master, bool Decay);

    readonly List<Slot> _slots = [];
    readonly double _beta1, _beta2, _eps, _weightDecay;

    public int Step { get; private set; }

    public AdamW(IEnumerable<(string Name, Parameter Param)> parameters, double beta1, double beta2, double eps, double weightDecay)
    {
        (_beta1, _beta2, _eps, _weightDecay) = (beta1, beta2, eps, weightDecay);
        foreach (var (name, p) in parameters)
        {
            using var _ = no_grad();
            var master = p.dtype == ScalarType.Float32 ? null : p.detach().to(ScalarType.Float32).clone().DetachFromDisposeScope();
            _slots.Add(new Slot(name, p,
                zeros(p.shape, ScalarType.Float32, p.device).DetachFromDisposeScope(),
                zeros(p.shape, ScalarType.Float32, p.device).DetachFromDisposeScope(), master, Decays(name, p)));
        }
    }

    /// <summary>No decay for 1-D parameters (norms, biases, sinks) and embeddings — the default of most LLM trainers.</summary>
    public static bool Decays(string name, Tensor p) => p.dim() >= 2 && !name.Contains("embed_tokens") && !name.Contains("norm");

    public IEnumerable<string> NoDecayNames => _slots.Where(s => !s.Decay).Select(s => s.Name);

    /// <summary>Global L2 norm of all gradients (missing gradients count as zero), in fp32.</summary>
    public double GradNorm()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor? sum = null;
        foreach (var s in _slots)
            if (s.Param.grad is { } g)
            {
                var sq = g.to(ScalarType.Float32).Pow(2).sum();
                sum = sum is null ? sq : sum.Add(sq);
            }
        return sum is null ? 0 : Math.Sqrt(sum.item<float>());
    }

    /// <summary>One update with learning rate <paramref name="lr"/>; gradients are scaled by <paramref name="gradScale"/>
    /// first (clipping). Gradients are then cleared.</summary>
    public void Update(double lr, double gradScale = 1.0)
    {
        Step++;
        double bc1 = 1 - Math.Pow(_beta1, Step), bc2 = 1 - Math.Pow(_beta2, Step);
        using var _ = no_grad();
        foreach (var s in _slots)
        {
            using var scope = NewDisposeScope();
            if (s.Param.grad is not { } grad) continue;
            var g = grad.to(ScalarType.Float32);
            if (gradScale != 1.0) g = g.Mul(gradScale);
            var w = s.Master ?? s.Param;
            // Each number held as a Scalar across the calls that read it (docs/TORCHSHARP.md).
            using var beta1 = _beta1.ToScalar();
            using var beta2 = _beta2.ToScalar();
            using var oneMinusBeta1 = (1 - _beta1).ToScalar();
            using var oneMinusBeta2 = (1 - _beta2).ToScalar();
            using var eps = _eps.ToScalar();
            using var step = (-lr / bc1).ToScalar();
            s.M.mul_(beta1).add_(g, oneMinusBeta1);
            s.V.mul_(beta2).addcmul_(g, g, oneMinusBeta2);
            if (s.Decay && _weightDecay > 0) w.MulInPlace(1 - lr * _weightDecay);
            var denom = s.V.Div(bc2).sqrt_().add_(eps, ScalarOps.One);
            w.addcdiv_(s.M, denom, step);
            if (s.Master is not null) s.Param.copy_(s.Master);
        }
        ZeroGrad();
    }

    public void ZeroGrad()
    {
        foreach (var s in _slots)
            if (s.Param.grad is { } g) { g.Dispose(); s.Param.grad = null; }
    }

    /// <summary>Moments (and master weights) keyed <c>m.{name}</c>, <c>v.{name}</c>, <c>master.{name}</c>.</summary>
    public void Save(string file)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var s in _slots)
        {
            tensors.Add(new("m." + s.Name, s.M));
            tensors.Add(new("v." + s.Name, s.V));
            if (s.Master is not null) tensors.Add(new("master." + s.Name, s.Master));
        }
        using var scope = NewDisposeScope();
        var cpu = tensors.Select(t => new KeyValuePair<string, Tensor>(t.Key, t.Value.cpu())).ToList();
        SafetensorsWriter.Write(file, cpu, new Dictionary<string, string> { ["step"] = Step.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    public void Load(string file, int step)
    {
        using var reader = CheckpointReader.Open(file);
        using var _ = no_grad();
        foreach (var s in _slots)
        {
            using var scope = NewDisposeScope();
            s.M.copy_(reader.Read("m." + s.Name));
            s.V.copy_(reader.Read("v." + s.Name));
            s.Master?.copy_(reader.Read("master." + s.Name));
        }
        Step = step;
    }

    public void Dispose()
    {
        foreach (var s in _slots) { s.M.Dispose(); s.V.Dispose(); s.Master?.Dispose(); }
    }
}
