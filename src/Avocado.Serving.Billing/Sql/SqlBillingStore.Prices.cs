namespace Avocado.Serving.Billing;

internal abstract partial class SqlBillingStore
{
    public Task SetPriceAsync(Price price, string actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(price);
        RequireText(price.Model, nameof(price.Model));
        RequireText(actor, nameof(actor));
        if (price.InputPerMillion < 0 || price.OutputPerMillion < 0)
            throw new ArgumentOutOfRangeException(nameof(price), price, "prices must be ≥ 0 nano-USD per million tokens");
        return WriteAsync(async db =>
        {
            long now = Now();
            var old = await GetPriceAsync(db, price.Model, ct);
            await db.Sql("""
                INSERT INTO prices (model, input_per_million, output_per_million, updated_at) VALUES (@m, @in, @out, @at)
                ON CONFLICT (model) DO UPDATE SET input_per_million = excluded.input_per_million,
                    output_per_million = excluded.output_per_million, updated_at = excluded.updated_at
                """).Arg("m", price.Model).Arg("in", price.InputPerMillion).Arg("out", price.OutputPerMillion).Arg("at", now).ExecuteAsync(ct);
            await AuditAsync(db, actor, "price.set", null, price.Model, new
            {
                input_per_million = price.InputPerMillion,
                output_per_million = price.OutputPerMillion,
                previous_input_per_million = old?.InputPerMillion,
                previous_output_per_million = old?.OutputPerMillion,
            }, now, ct);
            return true;
        }, ct);
    }

    public Task<Price?> GetPriceAsync(string model, CancellationToken ct = default) => ReadAsync(db => GetPriceAsync(db, model, ct), ct);

    public async Task<IReadOnlyList<Price>> ListPricesAsync(CancellationToken ct = default) =>
        await ReadAsync(db => db.Sql($"SELECT {Rows.PriceColumns} FROM prices ORDER BY model").ListAsync(Rows.Price, ct), ct);

    private static Task<Price?> GetPriceAsync(Db db, string model, CancellationToken ct) =>
        db.Sql($"SELECT {Rows.PriceColumns} FROM prices WHERE model = @m").Arg("m", model).SingleAsync(Rows.Price, ct);
}
