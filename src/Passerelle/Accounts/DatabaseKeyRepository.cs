using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// Stores the data-protection key ring (which signs cookies and antiforgery tokens) in the database, so that
/// every instance behind a load balancer reads the same keys and a restart logs nobody out.
/// </summary>
public sealed class DatabaseKeyRepository(IServiceScopeFactory scopes, TimeProvider clock) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.CreatedAt).Select(k => k.Xml).ToList()
            .Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();
        db.DataProtectionKeys.Add(new DataProtectionKey
        {
            Name = $"{friendlyName}-{Guid.NewGuid():N}", Xml = element.ToString(SaveOptions.DisableFormatting), CreatedAt = clock.GetUtcNow(),
        });
        db.SaveChanges();
    }
}
