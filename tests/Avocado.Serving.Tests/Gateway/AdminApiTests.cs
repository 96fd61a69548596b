using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Avocado.Serving.Tests.Gateway;

public class AdminApiTests(GatewayFixture f) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_tenant_set_up_over_the_admin_api_can_buy_tokens_and_see_its_usage()
    {
        var admin = f.Http(GatewayFixture.AdminKey);
        var tenant = await Json(await admin.PostAsJsonAsync("/admin/tenants", new { name = "beta" }), HttpStatusCode.Created);
        var tenantId = tenant.GetProperty("id").GetString()!;
        var key = await Json(await admin.PostAsJsonAsync($"/admin/tenants/{tenantId}/keys", new { name = "ci", rpm = 100 }), HttpStatusCode.Created);
        var secret = key.GetProperty("secret").GetString()!;
        Assert.StartsWith(key.GetProperty("key").GetProperty("prefix").GetString()!, secret);
        await Json(await admin.PostAsJsonAsync($"/admin/tenants/{tenantId}/credits", new { amount_usd = 2.5 }), HttpStatusCode.Created);
        var price = await Json(await admin.PutAsJsonAsync($"/admin/prices/{GatewayFixture.Model}", new { input_per_million = 2, output_per_million = 8 }), HttpStatusCode.OK);
        Assert.Equal(8m, price.GetProperty("output_per_million_usd").GetDecimal());

        var response = await f.Http(secret).PostAsJsonAsync("/v1/chat/completions", new { model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 3 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var usage = await Json(await admin.GetAsync($"/admin/usage?tenant={tenantId}&group_by=model"), HttpStatusCode.OK);
        Assert.Equal(1, usage[0].GetProperty("requests").GetInt32());
        var balance = await Json(await admin.GetAsync($"/admin/tenants/{tenantId}/balance"), HttpStatusCode.OK);
        Assert.Equal(2.5m - usage[0].GetProperty("cost_usd").GetDecimal(), balance.GetProperty("balance_usd").GetDecimal());
        var audit = await Json(await admin.GetAsync($"/admin/audit?tenant={tenantId}"), HttpStatusCode.OK);
        Assert.True(audit.GetArrayLength() >= 3);
        Assert.All(audit.EnumerateArray(), e => Assert.Equal(("admin-api", tenantId), (e.GetProperty("actor").GetString(), e.GetProperty("tenant").GetString())));
        Assert.Contains(audit.EnumerateArray(), e => e.GetProperty("details").ValueKind == JsonValueKind.Object);   // JSON, not a string of JSON

        var keyId = key.GetProperty("key").GetProperty("id").GetString();
        await Json(await admin.PostAsync($"/admin/keys/{keyId}/revoke", null), HttpStatusCode.OK);
        var revoked = await f.Http(secret).PostAsJsonAsync("/v1/chat/completions", new { model = GatewayFixture.Model, messages = new[] { new { role = "user", content = "hi" } } });
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task The_admin_api_needs_the_admin_key_and_validates_input()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await f.Http().GetAsync("/admin/tenants")).StatusCode); // a customer key is not an admin key
        Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient { BaseAddress = f.BaseUrl }.GetAsync("/admin/tenants")).StatusCode);
        var admin = f.Http(GatewayFixture.AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsJsonAsync("/admin/tenants/nope/credits", new { amount_usd = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/admin/tenants", new { title = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/admin/prices/m", new { input_per_million = "cheap", output_per_million = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/admin/usage?from=yesterday")).StatusCode);
    }

    static async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode expected)
    {
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == expected, $"{(int)r.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
