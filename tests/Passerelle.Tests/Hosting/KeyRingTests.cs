using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Hosting;

/// <summary>The key ring in the database is encrypted with the operator's certificate when one is configured.</summary>
[Trait(Category.Name, Category.Process)]
public sealed class KeyRingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("passerelle-keys-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task With_a_certificate_the_stored_keys_are_encrypted_and_still_sign_forms()
    {
        var pfx = Path.Combine(_directory, "keys.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Passerelle data protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "secret"));
        }
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database, new Dictionary<string, string?>
        {
            ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "secret",
        });
        using var client = app.CreateClient();

        var (status, login) = await Browserless.GetAsync(client, "/entreprise/connexion");
        status.ShouldBe(HttpStatusCode.OK);
        var refused = await Browserless.SubmitAsync(client, login, "Se connecter", new Dictionary<string, string> { ["UserName"] = "personne", ["Password"] = "rien" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the antiforgery token signed with the encrypted key validates");

        await using var db = database.NewContext();
        var stored = await db.DataProtectionKeys.Select(k => k.Xml).ToListAsync();
        stored.ShouldNotBeEmpty();
        // Unencrypted, a key holds <masterKey><value>base64 secret</value></masterKey>; encrypted, only an <EncryptedData>.
        stored.ShouldAllBe(xml => xml.Contains("<encryptedSecret", StringComparison.Ordinal) && xml.Contains("<EncryptedData", StringComparison.Ordinal)
            && !xml.Contains("<value>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unreadable_certificate_stops_start_up_with_a_clear_line()
    {
        var missing = Path.Combine(_directory, "absent.pfx");
        await using var process = AppProcess.Start(_directory, ["--DataProtection:CertificatePath=" + missing], new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });

        (await process.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(1);
        process.StandardError.ShouldContain($"Passerelle cannot start: DataProtection:CertificatePath '{missing}' cannot be read as a PKCS#12 certificate");
    }
}
