import type { GatewayConfig } from '../config/config-schema.ts';
import type { Gateway } from '../gateway.ts';

/** What a newcomer needs on screen after `npm start`: where to point each SDK, the key, a curl line. */
export function formatBanner(gateway: Gateway, config: GatewayConfig): string {
  const base = gateway.url;
  const generated = gateway.generatedKey;
  const keyLine = generated
    ? generated.created
      ? `API key (generated, shown once; kept in ${config.dataDir}/generated-api-key): ${generated.key}`
      : `API key: the generated key kept in ${config.dataDir}/generated-api-key`
    : 'API key: as configured (GATEWAY_API_KEY / apiKeys)';
  const keyForCurl = generated?.created ? generated.key : '$GATEWAY_API_KEY';
  const lines = [
    '',
    'webchat-gateway is running',
    `  OpenAI base URL:     ${base}/v1`,
    `  Anthropic base URL:  ${base}   (ANTHROPIC_BASE_URL, without /v1)`,
    `  ${keyLine}`,
  ];
  const admin = gateway.generatedAdminToken;
  if (admin?.created) {
    lines.push(
      `  Admin token for ${base}/admin/api (generated, shown once; kept in ${config.dataDir}/admin-token): ${admin.key}`,
    );
  } else if (admin) {
    lines.push(`  Admin token: the one kept in ${config.dataDir}/admin-token`);
  }
  for (const [site, url] of Object.entries(gateway.embeddedSites)) {
    lines.push(`  Embedded demo site '${site}': ${url}  (log in as demo / demo-password)`);
  }
  lines.push(
    '',
    'Try it:',
    `  curl ${base}/v1/chat/completions -H "Authorization: Bearer ${keyForCurl}" \\`,
    `    -H "content-type: application/json" \\`,
    `    -d '{"model":"demo/text-1","messages":[{"role":"user","content":"Reply with the word PINEAPPLE"}]}'`,
    '',
  );
  return lines.join('\n');
}
