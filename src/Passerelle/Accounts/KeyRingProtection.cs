using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// The data-protection key ring (it signs session cookies and antiforgery tokens) lives in the database. With
/// <c>DataProtection:CertificatePath</c> (a PKCS#12 file, its password in <c>DataProtection:CertificatePassword</c>),
/// every key is encrypted with that certificate before it is stored, so a copy of the database (a backup) does
/// not give the keys away. Every instance needs the same certificate. Without it, Production says so at start-up.
/// </summary>
public static class KeyRingProtection
{
    public const string Section = "DataProtection";

    public static IDataProtectionBuilder ProtectKeys(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        var path = configuration[$"{Section}:CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
            return builder;
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[$"{Section}:CertificatePassword"]);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"DataProtection:CertificatePath '{path}' cannot be read as a PKCS#12 certificate with its password: {e.Message.Trim()}");
        }
        if (!certificate.HasPrivateKey)
            throw new StartupException($"DataProtection:CertificatePath '{path}' holds no private key: the keys could not be read back.");
        return builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }

    public static bool IsConfigured(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[$"{Section}:CertificatePath"]);
}
