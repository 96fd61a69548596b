using System.Diagnostics.CodeAnalysis;
using Avocado.Serving.Gateway.Backends;

namespace Avocado.Serving.Gateway;

/// <summary>The models this gateway serves, by the name clients send.</summary>
public sealed class ModelRegistry(IEnumerable<IModelBackend> backends) : IAsyncDisposable
{
    readonly Dictionary<string, IModelBackend> byName = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);

    public IEnumerable<IModelBackend> All => byName.Values.OrderBy(b => b.Name, StringComparer.Ordinal);

    public bool TryGet(string name, [NotNullWhen(true)] out IModelBackend? backend) => byName.TryGetValue(name, out backend);

    public async ValueTask DisposeAsync()
    {
        foreach (var b in byName.Values) await b.DisposeAsync();
    }
}
