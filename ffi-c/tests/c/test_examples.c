/* Every policy document of the repository's examples/ loads with
 * corsguard_policy_from_json: ffi-c/test.sh passes each one it finds, and a
 * document the C library refuses fails the test with every problem printed.
 *
 *   test_examples FILE...
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;
    if (f == NULL) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size + 1);
        if (data != NULL && fread(data, 1, (size_t)size, f) != (size_t)size) {
            free(data);
            data = NULL;
        }
        *len = (size_t)size;
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    static const char *const classes[] = {"auto", "small", "default", "large"};
    int i;

    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE...  (no policy document given)\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        size_t len = 0, count = 0, k;
        char *json = read_all(argv[i], &len);
        corsguard_policy *policy = NULL;
        corsguard_document_errors *errors = NULL;
        corsguard_capacity_class class = CORSGUARD_CAPACITY_CLASS_AUTO;
        corsguard_problem p;

        CHECK(json != NULL);
        if (json == NULL) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            continue;
        }
        CHECK_OK(corsguard_policy_from_json(json, len, 0, &policy, &errors));
        if (policy != NULL) {
            CHECK_OK(corsguard_policy_class(policy, &class));
            printf("%s: loaded, class %s\n", argv[i], classes[class < 4 ? class : 0]);
            CHECK_OK(corsguard_policy_free(policy));
        } else {
            corsguard_document_errors_count(errors, &count);
            for (k = 0; k < count; k++) {
                if (corsguard_document_errors_get(errors, k, &p) == CORSGUARD_RESULT_OK) {
                    fprintf(stderr, "%s: %s: %s [%s]\n", argv[i], p.path.len ? p.path.ptr : "/", p.message.ptr,
                            p.code.ptr);
                }
            }
        }
        CHECK_OK(corsguard_document_errors_free(errors));
        free(json);
    }
    printf("test_examples: %d policy documents\n", argc - 1);
    return check_report("test_examples");
}
