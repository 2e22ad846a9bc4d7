using Microsoft.EntityFrameworkCore;
using Passerelle.Demo;
using Passerelle.Email;
using Passerelle.Storage;

namespace Passerelle.Hosting;

/// <summary>
/// What a Production instance refuses to start with: settings that are right for the demo on a laptop and wrong
/// for people's data (mail written to a folder, links in plain http, demo
/// accounts whose password the README publishes). Each problem is one line saying what to set instead.
/// </summary>
public static class ProductionChecks
{
    /// <summary>The settings' problems, checked before the database is touched; empty outside Production.</summary>
    public static IReadOnlyList<string> Settings(IHostEnvironment environment, DatabaseOptions database, EmailOptions email)
    {
        if (!environment.IsProduction())
            return [];
        var problems = new List<string>();
        if (email.Delivery == MailDelivery.Folder)
            problems.Add("Email:Delivery is Folder (mail written to a local folder) in Production: set Email:Delivery=Smtp and Email:SmtpHost.");
        if (!email.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            problems.Add($"Email:PublicBaseUrl '{email.PublicBaseUrl}' is not https in Production: links in mails carry tokens, give the public https address.");
        if (database.SeedDemoData)
            problems.Add("Database:SeedDemoData=true in Production: the demo accounts' password is published, turn it off.");
        return problems;
    }

    /// <summary>A Production database must not hold the demo accounts (their password is in the README).</summary>
    public static async Task CheckNoDemoAccountsAsync(PasserelleDb db, CancellationToken ct)
    {
        var names = DemoData.Logins.Select(l => l.UserName).ToList();
        var found = await db.Staff.IgnoreQueryFilters().Where(s => names.Contains(s.UserName)).Select(s => s.UserName)
            .Concat(db.CompanyContacts.Where(c => names.Contains(c.UserName)).Select(c => c.UserName))
            .ToListAsync(ct);
        if (found.Count > 0)
            throw new StartupException(
                $"Demo accounts in the database in Production ({string.Join(", ", found.Order(StringComparer.Ordinal))}, password published " +
                "in the README): start on a database without the demo data.");
    }
}
