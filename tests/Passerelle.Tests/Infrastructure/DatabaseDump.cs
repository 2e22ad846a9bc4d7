using System.Data.Common;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;
using Passerelle.Tests.CompanyPortal;

namespace Passerelle.Tests.Infrastructure;

/// <summary>The whole database as text, for the erasure tests: what is not in it is nowhere in the database.</summary>
public static class DatabaseDump
{
    /// <summary>
    /// Every value of every table, as text (what <c>pg_dump</c> or SQLite's <c>.dump</c> would print, on both providers the same
    /// way): blobs read as UTF-8 too.
    /// </summary>
    public static async Task<string> TextAsync(PortalWorld world)
    {
        await using var db = world.Database.NewContext();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = world.Database.Provider == DatabaseProvider.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        tables.Count.ShouldBeGreaterThan(20);
        var dump = new StringBuilder();
        foreach (var table in tables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    dump.Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value.ToString()).Append('|');
                }
                dump.Append('\n');
            }
        }
        return dump.ToString();
    }
}
