using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.Schools;

/// <summary>
/// <c>create-school --name "…" --admin-email …</c>: how a real school and its first admin come to exist (there is no
/// sign-up page and, outside Development, no demo). Prints a one-time link to choose the admin's password and queues
/// the same invitation mail the Équipe page sends. Each link works once; a password chosen with one uses up the other
/// if the mail was already composed (its link is made when it is sent).
/// </summary>
public static class CreateSchoolCommand
{
    public const string Name = "create-school";

    public const string Usage =
        "usage: create-school --name \"<school name>\" --admin-email <address> [--admin-last-name <name>] [--admin-first-name <name>]";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var options = Read(args);
        var name = options.GetValueOrDefault("--name")?.Trim() ?? "";
        var email = EmailAddress.Normalize(options.GetValueOrDefault("--admin-email"));
        var problems = new List<string>();
        if (name.Length is 0 or > 200)
            problems.Add("--name: give the school's name (200 characters at most).");
        if (email is null)
            problems.Add("--admin-email: give the first admin's e-mail address (it is also their login).");
        var lastName = options.GetValueOrDefault("--admin-last-name")?.Trim() is { Length: > 0 } last ? last : "Administrateur";
        var firstName = options.GetValueOrDefault("--admin-first-name")?.Trim() ?? "";
        if (lastName.Length > 100 || firstName.Length > 100)
            problems.Add("--admin-last-name / --admin-first-name: 100 characters at most.");
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                await error.WriteLineAsync($"create-school: {problem}");
            await error.WriteLineAsync(Usage);
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        if (await db.Staff.IgnoreQueryFilters().AnyAsync(s => s.UserName.ToLower() == email, default))
        {
            await error.WriteLineAsync($"create-school: a Passerelle École account already uses {email}: choose another address.");
            return 2;
        }

        var school = new School { Id = Guid.CreateVersion7(now), Name = name, CreatedAt = now };
        var admin = Staff.NewAccount(school.Id, email!, lastName, firstName, StaffRole.SchoolAdmin, now);
        var (token, raw) = AccountToken.Create(AccountKind.Staff, admin.Id, AccountTokenPurpose.FirstPassword, now);
        db.Schools.Add(school);
        db.Staff.Add(admin);
        db.AccountTokens.Add(token);
        db.OutboxMessages.Add(Outbox.ToAccount(school.Id, TemplateKeys.StaffCredentials, admin.Id, admin.Email, admin.DisplayName, now));
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            await error.WriteLineAsync($"create-school: a Passerelle École account already uses {email}: choose another address.");
            return 2;
        }

        var link = scope.ServiceProvider.GetRequiredService<EmailOptions>().Link($"/ecole/mot-de-passe/{raw}");
        await output.WriteLineAsync($"School created: {school.Name} ({school.Id}).");
        await output.WriteLineAsync($"First admin: {admin.DisplayName} <{admin.Email}>, login {admin.UserName}.");
        await output.WriteLineAsync($"Choose the password here (single use, until {ParisTime.Date(token.ExpiresAt)} {ParisTime.Time(token.ExpiresAt)}, Paris time):");
        await output.WriteLineAsync(link);
        await output.WriteLineAsync($"The same invitation is queued by mail to {admin.Email}.");
        return 0;
    }

    private static readonly string[] Keys = ["--name", "--admin-email", "--admin-last-name", "--admin-first-name"];

    /// <summary>This command's "--key value" pairs; other arguments are the host's settings (--urls, --Database:Provider=…).</summary>
    private static Dictionary<string, string> Read(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (Keys.Contains(args[i]))
                options[args[i]] = args[++i];
        }
        return options;
    }
}
