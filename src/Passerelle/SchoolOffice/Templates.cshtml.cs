using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Email.Templates;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>School admins: the list of mails, each with the school's own version (Activé/Désactivé) or the default.</summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class TemplatesModel(PasserelleDb db) : SchoolPage(db)
{
    public IReadOnlyDictionary<string, EmailTemplate> Own { get; private set; } = new Dictionary<string, EmailTemplate>();

    public async Task OnGetAsync(CancellationToken ct) =>
        Own = await Db.EmailTemplates.AsNoTracking().ToDictionaryAsync(t => t.Key, ct);

    public static IReadOnlyList<TemplateDefinition> Definitions => DefaultTemplates.All.Where(t => DefaultTemplates.SchoolMayEdit(t.Key)).ToList();
}
