using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Passerelle.Storage;

public static class DbErrors
{
    /// <summary>A unique index or primary key refused the write: someone did the same thing at the same moment.</summary>
    public static bool IsUniqueViolation(this DbUpdateException e) => e.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555, // UNIQUE, PRIMARY KEY
        _ => false,
    };
}
