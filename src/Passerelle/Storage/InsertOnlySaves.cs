using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Npgsql;

namespace Passerelle.Storage;

/// <summary>
/// On PostgreSQL, a save that only adds rows (a proposal: the referral, its event and its mail; a candidate; a look at a
/// profile) is written here as one batch of prepared INSERTs, each naming its columns in the model's order with positional
/// parameters, instead of going through EF Core's update pipeline, which sorted the rows, wrote their SQL anew and built its
/// commands at every save — about a quarter of the server's processor in a create through the API (bench/findings.md).
/// <para>
/// The save still goes through <c>SaveChanges</c> (its hooks, its interceptors, the entries accepted after it), the values through
/// the model's type mappings and converters, the batch in the caller's transaction when there is one and otherwise, as
/// <see cref="InsertBatches"/> explains, atomic by itself (one Sync). A failure gives EF Core's <see cref="DbUpdateException"/>.
/// EF Core's command log and diagnostic events do not see this batch (Npgsql's tracing does). Any save this does not cover — an
/// update or a delete, a value the database generates, an entity type outside the plain shape (inheritance, owned or complex
/// types, a table shared by several types, a reference between rows of one type), more than <see cref="MaxRows"/> rows, a
/// context whose commands an interceptor watches — goes to EF Core as before.
/// </para>
/// </summary>
internal sealed class InsertOnlySaves(
    DatabaseDependencies dependencies, RelationalDatabaseDependencies relationalDependencies, ISqlGenerationHelper sql, IInterceptors interceptors)
    : RelationalDatabase(dependencies, relationalDependencies)
{
    /// <summary>A context with a command interceptor (the tests' race steps) sees its commands through EF Core.</summary>
    private readonly bool _commandsIntercepted = interceptors.Aggregate<IDbCommandInterceptor>() is not null;

    /// <summary>Larger saves (an import) go to EF Core: one batch up to 1,000 rows (<see cref="InsertBatches"/>), a transaction beyond.</summary>
    public const int MaxRows = 100;

    private static readonly ConcurrentDictionary<IEntityType, Insert?> Inserts = new();

    /// <summary>Makes parameters through the model's type mappings (a command is only their factory: it is never run).</summary>
    private static readonly NpgsqlCommand ParameterFactory = new();

    public override async Task<int> SaveChangesAsync(IList<IUpdateEntry> entries, CancellationToken cancellationToken = default)
    {
        if (Plan(entries) is not { } rows)
            return await base.SaveChangesAsync(entries, cancellationToken);

        var connection = RelationalDependencies.Connection;
        await connection.OpenAsync(cancellationToken);
        try
        {
            await using var batch = Batch(connection, rows);
            return await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failed(e, entries);
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    public override int SaveChanges(IList<IUpdateEntry> entries)
    {
        if (Plan(entries) is not { } rows)
            return base.SaveChanges(entries);

        var connection = RelationalDependencies.Connection;
        connection.Open();
        try
        {
            using var batch = Batch(connection, rows);
            return batch.ExecuteNonQuery();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failed(e, entries);
        }
        finally
        {
            connection.Close();
        }
    }

    private static NpgsqlBatch Batch(IRelationalConnection connection, List<(IUpdateEntry Entry, Insert Insert)> rows)
    {
        var batch = new NpgsqlBatch((NpgsqlConnection)connection.DbConnection, (NpgsqlTransaction?)connection.CurrentTransaction?.GetDbTransaction());
        if (connection.CommandTimeout is { } timeout)
            batch.Timeout = timeout;
        foreach (var (entry, insert) in rows)
            batch.BatchCommands.Add(insert.Command(entry));
        return batch;
    }

    /// <summary>
    /// As EF Core says a failed save: any failure but a cancellation (the caller finds the database's error inside — a unique
    /// index, a foreign key — or the driver's refusal of a value).
    /// </summary>
    private static DbUpdateException Failed(Exception e, IList<IUpdateEntry> entries) =>
        new("An error occurred while saving the entity changes. See the inner exception for details.", e, [.. entries]);

    /// <summary>The rows to insert, principals before the rows that refer to them; null when EF Core is to save these entries.</summary>
    private List<(IUpdateEntry Entry, Insert Insert)>? Plan(IList<IUpdateEntry> entries)
    {
        if (entries.Count is 0 or > MaxRows || _commandsIntercepted)
            return null;
        var rows = new List<(IUpdateEntry, Insert)>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.EntityState != EntityState.Added || entry.SharedIdentityEntry is not null)
                return null;
            if (Inserts.GetOrAdd(entry.EntityType, static (type, sql) => Insert.For(type, sql), sql) is not { } insert || !insert.Covers(entry))
                return null;
            if (insert.ReferencesItsOwnType && rows.Exists(row => row.Item2 == insert))
                return null;
            rows.Add((entry, insert));
        }
        // Stable: rows of one type keep the order they were added in.
        return [.. rows.OrderBy(row => row.Item2.Depth)];
    }

    /// <summary>One entity type's INSERT: its SQL, written once, and the properties that fill its parameters, in order.</summary>
    private sealed class Insert(string sql, IProperty[] properties, RelationalTypeMapping[] mappings, int depth, bool referencesItsOwnType)
    {
        /// <summary>Written after the types it refers to: its depth in the model's references (a principal first).</summary>
        public int Depth { get; } = depth;

        /// <summary>A type whose rows may refer to each other: two in one save go to EF Core, which orders them row by row.</summary>
        public bool ReferencesItsOwnType { get; } = referencesItsOwnType;

        public NpgsqlBatchCommand Command(IUpdateEntry entry)
        {
            var command = new NpgsqlBatchCommand(sql);
            for (var i = 0; i < properties.Length; i++)
            {
                var property = properties[i];
                command.Parameters.Add(mappings[i].CreateParameter(ParameterFactory, "", entry.GetCurrentValue(property), property.IsNullable));
            }
            return command;
        }

        /// <summary>Every value is the application's: none left for the database to generate (a default, a sequence).</summary>
        public bool Covers(IUpdateEntry entry)
        {
            foreach (var property in properties)
            {
                if (entry.IsStoreGenerated(property) || entry.HasTemporaryValue(property))
                    return false;
            }
            return true;
        }

        public static Insert? For(IEntityType type, ISqlGenerationHelper sql)
        {
            // The plain shape only: one type, one table of its own, every column written by the application.
            if (type.BaseType is not null || type.GetDirectlyDerivedTypes().Any() || type.IsOwned() || type.GetComplexProperties().Any()
                || type.GetNavigations().Any(n => n.TargetEntityType.IsOwned()) || type.GetTableName() is not { } table
                || type.GetTableMappings().ToList() is not [var mapping] || mapping.Table.EntityTypeMappings.Count() != 1
                || DepthOf(type, []) is not { } depth)
                return null;
            var store = StoreObjectIdentifier.Table(table, type.GetSchema());
            if (type.GetProperties().Any(p => p.GetBeforeSaveBehavior() != PropertySaveBehavior.Save || p.ValueGenerated.HasFlag(ValueGenerated.OnUpdate)
                    || p.GetColumnName(store) is null || p.GetRelationalTypeMapping() is null))
                return null;

            var properties = type.GetProperties().ToArray();
            var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(store)!)));
            var values = string.Join(", ", properties.Select((_, i) => $"${i + 1}"));
            return new Insert($"INSERT INTO {sql.DelimitIdentifier(table, type.GetSchema())} ({columns}) VALUES ({values})",
                properties, [.. properties.Select(p => p.GetRelationalTypeMapping())], depth,
                type.GetForeignKeys().Any(fk => fk.PrincipalEntityType == type));
        }

        /// <summary>1 + the deepest of the types it refers to (its own type aside); null in a cycle of references between types.</summary>
        private static int? DepthOf(IEntityType type, HashSet<IEntityType> path)
        {
            if (!path.Add(type))
                return null;
            var depth = 0;
            foreach (var principal in type.GetForeignKeys().Select(fk => fk.PrincipalEntityType).Where(p => p != type).Distinct())
            {
                if (DepthOf(principal, path) is not { } above)
                    return null;
                depth = Math.Max(depth, above + 1);
            }
            path.Remove(type);
            return depth;
        }
    }
}
