namespace FedDistill.Storage.Relational;

/// <summary>
/// How both relational backends store an instant: a 64-bit integer column holding
/// <see cref="DateTimeOffset.UtcTicks"/> (100 ns units since 0001-01-01 UTC).
/// </summary>
/// <remarks>
/// Ticks keep the full precision of <see cref="DateTimeOffset"/>, so a value read back is equal
/// (same instant) to the value written. PostgreSQL's <c>timestamptz</c> keeps only microseconds
/// and SQLite has no time type, so one integer encoding serves both and they behave alike.
/// The offset is not kept: values come back in UTC (<see cref="DateTimeOffset.Offset"/> zero).
/// </remarks>
internal static class StoredTime
{
    public static long ToColumn(DateTimeOffset value) => value.UtcTicks;

    public static object ToColumn(DateTimeOffset? value) =>
        value is { } instant ? instant.UtcTicks : DBNull.Value;

    public static DateTimeOffset FromColumn(long utcTicks) => new(utcTicks, TimeSpan.Zero);
}
