using Passerelle.Accounts;
using Passerelle.Companies;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>Logging out; authorized so that the antiforgery token, tied to the signed-in contact, validates.</summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = CompanyAuth.Policy)]
public sealed class LogoutModel(PasserelleDb db) : LogoutPage<CompanyContact>(db, CompanyAuth.Scheme, "/CompanyPortal/Home", "/CompanyPortal/Login");
