using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Passerelle.CommandLine;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.Api;

/// <summary>
/// <c>apikey create | list | revoke</c>: a school's API keys from the command line, the same as the Intégrations page.
/// <c>create</c> prints the key alone on the last line of its output (a script takes it with <c>tail -n 1</c>).
/// </summary>
public static class ApiKeyCommands
{
    public const string Name = "apikey";

    public static Command Build(Func<CancellationToken, Task<IServiceProvider>> services)
    {
        var command = new Command(Name, "A school's API keys: create, list, revoke.");

        var school = new Option<string>("--school") { Description = "The school, by its name or its id.", Required = true };
        var name = new Option<string>("--name") { Description = "The key's name: the software that uses it (\"ERP\"). Timelines show \"Action effectuée par ERP (API)\".", Required = true };
        var createdBy = new Option<string?>("--created-by") { Description = "The staff member (login or e-mail) the key acts for; the school's first admin by default." };
        var create = new Command("create", "Create a key; prints it, once, alone on the last line.") { school, name, createdBy };
        create.SetAction(async (parse, ct) =>
        {
            await using var scope = (await services(ct)).CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            if (await PasserelleCommands.SchoolAsync(db, parse.GetValue(school)!, Console.Error, "apikey create", ct) is not { } found)
                return 2;
            var staff = await StaffAsync(db, found, parse.GetValue(createdBy), ct);
            if (staff is null)
                return 2;
            db.ForSchool(found.Id);
            var (key, secret, problem) = await ApiKeys.CreateAsync(db, parse.GetValue(name), staff, scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
            if (problem is not null)
            {
                await Console.Error.WriteLineAsync($"apikey create: {problem}");
                return 2;
            }
            Console.WriteLine($"Key \"{key!.Name}\" created for {found.Name} ({key.Id}), acting for {staff.DisplayName}. It is shown once:");
            Console.WriteLine(secret);
            return 0;
        });
        command.Add(create);

        var listSchool = new Option<string>("--school") { Description = "The school, by its name or its id.", Required = true };
        var list = new Command("list", "List the school's keys: id, name, created by, created, last used, state.") { listSchool };
        list.SetAction(async (parse, ct) =>
        {
            await using var scope = (await services(ct)).CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            if (await PasserelleCommands.SchoolAsync(db, parse.GetValue(listSchool)!, Console.Error, "apikey list", ct) is not { } found)
                return 2;
            var keys = await ApiKeys.ListAsync(db.ForSchool(found.Id), ct);
            if (keys.Count == 0)
                Console.WriteLine($"{found.Name} has no API key.");
            foreach (var key in keys)
            {
                Console.WriteLine(string.Join('\t', key.Id, key.Name, key.CreatedBy, When(key.CreatedAt), key.LastUsedAt is { } used ? $"last used {When(used)}" : "never used",
                    key.RevokedAt is { } revoked ? $"revoked {When(revoked)}" : "active"));
            }
            return 0;
        });
        command.Add(list);

        var revokeSchool = new Option<string>("--school") { Description = "The school, by its name or its id.", Required = true };
        var id = new Option<Guid>("--id") { Description = "The key's id (apikey list shows it).", Required = true };
        var revoke = new Command("revoke", "Revoke a key at once: its next request is refused.") { revokeSchool, id };
        revoke.SetAction(async (parse, ct) =>
        {
            await using var scope = (await services(ct)).CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            if (await PasserelleCommands.SchoolAsync(db, parse.GetValue(revokeSchool)!, Console.Error, "apikey revoke", ct) is not { } found)
                return 2;
            if (!await ApiKeys.RevokeAsync(db.ForSchool(found.Id), parse.GetValue(id), scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow(), ct))
            {
                await Console.Error.WriteLineAsync($"apikey revoke: {found.Name} has no key {parse.GetValue(id)}.");
                return 2;
            }
            Console.WriteLine($"Key {parse.GetValue(id)} of {found.Name} is revoked.");
            return 0;
        });
        command.Add(revoke);
        return command;
    }

    private static string When(DateTimeOffset at) => $"{ParisTime.Date(at)} {ParisTime.Time(at)}";

    private static async Task<Staff?> StaffAsync(PasserelleDb db, School school, string? createdBy, CancellationToken ct)
    {
        // A key acts for someone who can still sign in: its referrals' notices go to them.
        var staff = db.Staff.IgnoreQueryFilters().Where(s => s.SchoolId == school.Id && s.DeactivatedAt == null);
        var found = createdBy is { Length: > 0 } login
            ? await staff.FirstOrDefaultAsync(s => s.UserName.ToLower() == login.Trim().ToLower() || s.Email.ToLower() == login.Trim().ToLower(), ct)
            : await staff.Where(s => s.Role == StaffRole.SchoolAdmin).OrderBy(s => s.CreatedAt).FirstOrDefaultAsync(ct);
        if (found is null)
            await Console.Error.WriteLineAsync(createdBy is { Length: > 0 }
                ? $"apikey create: {school.Name} has no active staff member {createdBy}."
                : $"apikey create: {school.Name} has no admin: name the staff member the key acts for with --created-by.");
        return found;
    }
}
