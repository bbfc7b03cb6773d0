using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ChatCluster.Node.Web;

/// <summary>
/// The browser side of the web port, in ASP.NET Core's own middleware: CORS (a preflight is answered there and goes no
/// further), the session cookie, the client library and the public folder (static file middleware: ETag,
/// If-None-Match / If-Modified-Since, ranges), and / as the chat page.
/// </summary>
public static class WebPipeline
{
    /// <summary>ActionHero's web server allows these methods and the Content-Type header from other origins.</summary>
    private static readonly string[] Methods = { "HEAD", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

    public const string PublicRequestPath = "/public";

    /// <summary>Where the action endpoint listens (ActionHttpEndpoint; ActionHero's config.web.urlPathForActions), for the client's actionWeb.</summary>
    public const string ApiPath = "/api";

    /// <summary>The public folder with the generated client library in it, as the file verb and GET /public see it.</summary>
    public static PublicFiles CreateFiles(WebSettings web, Transports.TransportSettings transport, string apiPath)
    {
        var client = ClientLibrary.WebsocketClient(transport.PrimusPath, transport.PingInterval, apiPath, web.CookieName);
        return new PublicFiles(web.PublicRoot, web.MaxFileBytes,
            new Dictionary<string, byte[]> { [ClientLibrary.ClientPath] = Encoding.UTF8.GetBytes(client) });
    }

    public static void AddServices(IServiceCollection services, WebSettings web)
    {
        services.AddCors(o => o.AddDefaultPolicy(policy =>
        {
            if (web.AnyOriginAllowed) policy.AllowAnyOrigin();
            else policy.WithOrigins(web.AllowedOrigins.ToArray());
            policy.WithMethods(Methods).WithHeaders(HeaderNames.ContentType).SetPreflightMaxAge(web.PreflightMaxAge);
            if (web.AllowCredentials) policy.AllowCredentials();
        }));
    }

    /// <summary>CORS and the session cookie: first, so that every answer below (actions, files, 426) carries them.</summary>
    public static void UseFront(IApplicationBuilder app, WebSettings web)
    {
        app.UseCors();
        var cookie = new SessionCookie(web);
        app.Use(cookie.InvokeAsync);
    }

    /// <summary>GET &lt;primus path&gt;/primus.js, before the Primus endpoint (which answers everything else under its path).</summary>
    public static void UsePrimusClient(IApplicationBuilder app, WebSettings web, Transports.TransportSettings transport)
    {
        var bytes = Encoding.UTF8.GetBytes(ClientLibrary.Primus(transport.PrimusPath, transport.PingInterval));
        app.UseStaticFiles(Options(web, new GeneratedOnly(ClientLibrary.PrimusFile, bytes), transport.PrimusPath));
    }

    /// <summary>/ (the index file) and /public/&lt;path&gt;, after the Primus and action endpoints.</summary>
    public static void UsePublic(IApplicationBuilder app, WebSettings web, PublicFiles files)
    {
        if (web.IndexFile.Length > 0)
        {
            var index = PublicRequestPath + "/" + PublicPath.Normalize(web.IndexFile);
            app.Use((context, next) =>
            {
                if (context.Request.Path == "/") context.Request.Path = index;
                return next(context);
            });
        }
        app.UseStaticFiles(Options(web, files, PublicRequestPath, files));
    }

    private static StaticFileOptions Options(WebSettings web, IFileProvider provider, string requestPath, PublicFiles? types = null)
    {
        var options = new StaticFileOptions
        {
            FileProvider = provider,
            RequestPath = requestPath,
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
            OnPrepareResponse = context =>
            {
                // As ActionHero: cacheable, revalidated after max-age (ETag / Last-Modified come from the middleware).
                context.Context.Response.Headers.CacheControl = new StringValues($"public, max-age={(long)web.CacheMaxAge.TotalSeconds}, must-revalidate");
            },
        };
        if (types is not null) options.ContentTypeProvider = types.ContentTypes;
        return options;
    }

    // One generated file, nothing else (primus.js under the Primus path).
    private sealed class GeneratedOnly(string name, byte[] bytes) : IFileProvider
    {
        private readonly GeneratedFile _file = new(name, bytes, DateTimeOffset.UtcNow);

        public IFileInfo GetFileInfo(string subpath) => subpath.TrimStart('/') == name ? _file : new NotFoundFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

        public IChangeToken Watch(string filter) => NullChangeToken.Singleton;
    }
}
