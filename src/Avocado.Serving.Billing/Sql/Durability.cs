namespace Avocado.Serving.Billing;

/// <summary>
/// When a committed write must be on stable storage. Immediate: before the caller is answered (charges, credits,
/// settlements, admin changes). Deferred: a process crash cannot lose it, a power loss or OS crash may, until the
/// next Immediate write's fsync makes it durable with everything before it — allowed only for a write whose loss in such a
/// crash loses nothing else: a reservation. In the embedded backend the database dies with the gateway, so a
/// reservation lost that way belonged to a request that died too; the tokens it had streamed before its first
/// durable checkpoint go unbilled, the same bound a crash between checkpoints already has. A backend whose
/// database can crash apart from the gateway (PostgreSQL) treats Deferred as Immediate.
/// </summary>
internal enum Durability
{
    Immediate,
    Deferred,
}
