using Microsoft.AspNetCore.Authorization;
using Passerelle.Accounts;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>Logging out; authorized so that the antiforgery token, tied to the signed-in staff member, validates.</summary>
[Authorize(Policy = SchoolAuth.Policy)]
public sealed class LogoutModel(PasserelleDb db) : LogoutPage<Staff>(db, SchoolAuth.Scheme, "/SchoolOffice/ReferralList", "/SchoolOffice/Login");
