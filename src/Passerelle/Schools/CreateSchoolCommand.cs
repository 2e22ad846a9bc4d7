using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Passerelle.Accounts;
using Passerelle.Common;
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

    public static Command Build(Func<CancellationToken, Task<IServiceProvider>> services)
    {
        var name = new Option<string>("--name") { Description = "The school's name (200 characters at most).", Required = true };
        var email = new Option<string>("--admin-email") { Description = "The first admin's e-mail address, also their login.", Required = true };
        var lastName = new Option<string?>("--admin-last-name") { Description = "The first admin's family name (default: Administrateur)." };
        var firstName = new Option<string?>("--admin-first-name") { Description = "The first admin's first name." };
        var command = new Command(Name, "Create a school and its first admin; prints a one-time link to choose the admin's password (also mailed).")
        {
            name, email, lastName, firstName,
        };
        command.SetAction(async (parse, ct) => await RunAsync(await services(ct), parse.GetValue(name)!, parse.GetValue(email)!,
            parse.GetValue(lastName), parse.GetValue(firstName), Console.Out, Console.Error, ct));
        return command;
    }

    public static async Task<int> RunAsync(
        IServiceProvider services, string name, string emailText, string? lastNameText, string? firstNameText, TextWriter output, TextWriter error, CancellationToken ct)
    {
        name = name.Trim();
        var email = EmailAddress.Normalize(emailText);
        var problems = new List<string>();
        if (name.Length is 0 or > 200)
            problems.Add("--name: give the school's name (200 characters at most).");
        if (email is null)
            problems.Add("--admin-email: give the first admin's e-mail address (it is also their login).");
        var lastName = lastNameText?.Trim() is { Length: > 0 } last ? last : "Administrateur";
        var firstName = firstNameText?.Trim() ?? "";
        if (lastName.Length > 100 || firstName.Length > 100)
            problems.Add("--admin-last-name / --admin-first-name: 100 characters at most.");
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
                await error.WriteLineAsync($"{Name}: {problem}");
            return 2;
        }

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var school = new School { Id = Guid.CreateVersion7(now), Name = name, CreatedAt = now };
        db.Schools.Add(school);
        var admin = await StaffInvitation.AddAsync(db, scope.ServiceProvider, school.Id, email!, lastName, firstName, StaffRole.SchoolAdmin, now, ct);
        if (admin is null)
        {
            await error.WriteLineAsync($"{Name}: a Passerelle École account already uses {email}: choose another address.");
            return 2;
        }
        await output.WriteLineAsync($"School created: {school.Name} ({school.Id}).");
        await StaffInvitation.PrintAsync(output, "First admin", admin);
        return 0;
    }
}

/// <summary><c>create-staff --school … --email … [--admin]</c>: a staff member of an existing school, invited like create-school's admin.</summary>
public static class CreateStaffCommand
{
    public const string Name = "create-staff";

    public static Command Build(Func<CancellationToken, Task<IServiceProvider>> services)
    {
        var school = new Option<string>("--school") { Description = "The school, by its name or its id.", Required = true };
        var email = new Option<string>("--email") { Description = "Their e-mail address, also their login.", Required = true };
        var lastName = new Option<string?>("--last-name") { Description = "Their family name." };
        var firstName = new Option<string?>("--first-name") { Description = "Their first name." };
        var admin = new Option<bool>("--admin") { Description = "A school admin (templates, settings, team, integrations) rather than a recruiter." };
        var command = new Command(Name, "Add a staff member to a school; prints a one-time link to choose their password (also mailed).")
        {
            school, email, lastName, firstName, admin,
        };
        command.SetAction(async (parse, ct) =>
        {
            var provider = await services(ct);
            await using var scope = provider.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSystem();
            if (await CommandLine.PasserelleCommands.SchoolAsync(db, parse.GetValue(school)!, Console.Error, Name, ct) is not { } found)
                return 2;
            var address = EmailAddress.Normalize(parse.GetValue(email));
            var last = parse.GetValue(lastName)?.Trim() is { Length: > 0 } l ? l : "Nouveau membre";
            var first = parse.GetValue(firstName)?.Trim() ?? "";
            if (address is null || last.Length > 100 || first.Length > 100)
            {
                await Console.Error.WriteLineAsync($"{Name}: give a valid --email, and names of 100 characters at most.");
                return 2;
            }
            var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
            var role = parse.GetValue(admin) ? StaffRole.SchoolAdmin : StaffRole.Recruiter;
            var staff = await StaffInvitation.AddAsync(db, scope.ServiceProvider, found.Id, address, last, first, role, now, ct);
            if (staff is null)
            {
                await Console.Error.WriteLineAsync($"{Name}: a Passerelle École account already uses {address}: choose another address.");
                return 2;
            }
            await StaffInvitation.PrintAsync(Console.Out, role == StaffRole.SchoolAdmin ? $"Admin of {found.Name}" : $"Staff member of {found.Name}", staff);
            return 0;
        });
        return command;
    }
}

/// <summary>A staff account opened from the command line: a one-time password link printed, the same invitation mailed.</summary>
internal static class StaffInvitation
{
    /// <summary>The account opened, its one-time password link and until when it works; null when the address is taken.</summary>
    public sealed record Invited(Staff Staff, string Link, DateTimeOffset ExpiresAt);

    public static async Task<Invited?> AddAsync(
        PasserelleDb db, IServiceProvider services, Guid schoolId, string email, string lastName, string firstName, StaffRole role, DateTimeOffset now,
        CancellationToken ct)
    {
        if (await db.Staff.IgnoreQueryFilters().AnyAsync(s => s.UserName.ToLower() == email, ct))
            return null;
        var staff = Staff.NewAccount(schoolId, email, lastName, firstName, role, now);
        var (token, raw) = AccountToken.Create(AccountKind.Staff, staff.Id, AccountTokenPurpose.FirstPassword, now);
        db.Staff.Add(staff);
        db.AccountTokens.Add(token);
        db.OutboxMessages.Add(Outbox.ToAccount(schoolId, TemplateKeys.StaffCredentials, staff.Id, staff.Email, staff.DisplayName, now));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return null;
        }
        return new Invited(staff, services.GetRequiredService<EmailOptions>().Link($"/ecole/mot-de-passe/{raw}"), token.ExpiresAt);
    }

    public static async Task PrintAsync(TextWriter output, string what, Invited invited)
    {
        var staff = invited.Staff;
        await output.WriteLineAsync($"{what}: {staff.DisplayName} <{staff.Email}>, login {staff.UserName}.");
        await output.WriteLineAsync($"Choose the password here (single use, until {ParisTime.Date(invited.ExpiresAt)} {ParisTime.Time(invited.ExpiresAt)}, Paris time):");
        await output.WriteLineAsync(invited.Link);
        await output.WriteLineAsync($"The same invitation is queued by mail to {staff.Email}.");
    }
}
