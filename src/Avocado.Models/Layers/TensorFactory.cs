using TorchSharp;
using static TorchSharp.torch;

namespace Avocado.Models.Layers;

/// <summary>Where and in which dtype a model's parameters live. Parameters are created uninitialised
/// (<c>torch.empty</c>): loading overwrites them, <see cref="ModelInit"/> fills them, and on the meta device
/// a 20B-parameter model builds without memory.</summary>
public sealed record TensorFactory(Device Device, ScalarType DType)
{
    public static TensorFactory Cpu(ScalarType dtype = ScalarType.Float32) => new(CPU, dtype);
    public static TensorFactory Meta(ScalarType dtype = ScalarType.BFloat16) => new(new Device(DeviceType.META), dtype);

    public Parameter Parameter(params long[] shape) =>
        new(empty(shape, DType, Device), requires_grad: true);
}
