namespace Avocado.Serving.Billing;

public interface IPriceStore
{
    /// <summary>Sets (or replaces) a model's price; requests in flight keep the price they reserved at. Audited as price.set.</summary>
    Task SetPriceAsync(Price price, string actor, CancellationToken ct = default);

    Task<Price?> GetPriceAsync(string model, CancellationToken ct = default);

    Task<IReadOnlyList<Price>> ListPricesAsync(CancellationToken ct = default);
}
