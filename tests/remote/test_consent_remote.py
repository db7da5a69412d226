"""Consent enforcement on every backend: the key lifecycle and hostile-query tests of
tests/consent, run here against ``any_store`` (this folder's ``world`` and ``granted``
build the same small data space in it), and the property test with fewer examples."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.stateful import run_state_machine_as_test

from skillsgraph.errors import BadInputError
from skillsgraph.store import Store
from skillsgraph.store.remote import RemoteStore
from tests.consent.conftest import World
from tests.consent.test_hostile import (
    HOSTILE,
    test_an_application_query_with_public_graphs_and_personal_data,
    test_escaping_the_dataset_or_reaching_out_is_refused,
    test_from_may_narrow_the_dataset_to_public_graphs,
    test_graph_over_everything_sees_exactly_the_public_graphs_and_the_view,
    test_without_a_context_nothing_personal_is_seen,
)
from tests.consent.test_hostile import (
    test_hostile_queries_see_nothing_they_may_not as see_nothing_forbidden,
)
from tests.consent.test_lifecycle import (
    test_a_grant_shows_the_data_to_its_contexts_only,
    test_a_rebuild_derives_the_same_index_and_views,
    test_a_shared_triple_goes_when_every_consent_holding_it_expires,
    test_a_triple_two_consents_share_stays_while_one_of_them_permits_it,
    test_each_change_leaves_the_stored_record_exactly_its_new_version,
    test_erasure_removes_everything_and_keeps_a_pseudonymised_proof,
    test_expiry_needs_no_sweep,
    test_renewal_brings_the_data_back_until_its_new_date,
    test_withdrawal_is_visible_in_the_very_next_query,
)
from tests.consent.test_properties import ConsentMachine
from tests.remote.conftest import wipe

pytestmark = pytest.mark.slow

__all__ = [
    "test_a_grant_shows_the_data_to_its_contexts_only",
    "test_a_rebuild_derives_the_same_index_and_views",
    "test_a_shared_triple_goes_when_every_consent_holding_it_expires",
    "test_a_triple_two_consents_share_stays_while_one_of_them_permits_it",
    "test_an_application_query_with_public_graphs_and_personal_data",
    "test_each_change_leaves_the_stored_record_exactly_its_new_version",
    "test_erasure_removes_everything_and_keeps_a_pseudonymised_proof",
    "test_escaping_the_dataset_or_reaching_out_is_refused",
    "test_expiry_needs_no_sweep",
    "test_from_may_narrow_the_dataset_to_public_graphs",
    "test_graph_over_everything_sees_exactly_the_public_graphs_and_the_view",
    "test_renewal_brings_the_data_back_until_its_new_date",
    "test_withdrawal_is_visible_in_the_very_next_query",
    "test_without_a_context_nothing_personal_is_seen",
]


def test_no_sequence_of_consent_changes_shows_what_is_not_permitted(any_store: Store) -> None:
    """tests/consent/test_properties.py's state machine, on this backend."""

    class OnThisStore(ConsentMachine):
        def new_store(self) -> Store:
            from skillsgraph.store.remote import RemoteStore

            if isinstance(any_store, RemoteStore):
                wipe(any_store)
                return any_store
            from skillsgraph.store import EmbeddedStore

            return EmbeddedStore(None)

        def teardown(self) -> None:
            """The fixture closes the shared store."""

    run_state_machine_as_test(
        OnThisStore,
        settings=hypothesis_settings(
            max_examples=4,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


@pytest.mark.parametrize("sparql", HOSTILE)
def test_hostile_queries_see_nothing_they_may_not_here(granted: World, sparql: str) -> None:
    """tests/consent/test_hostile.py's test; Virtuoso refuses a path ``*``/``+`` with both
    ends unbound ("transitive start not given"): a refusal, so nothing is shown either."""
    try:
        see_nothing_forbidden(granted, sparql)
    except BadInputError as exc:
        store = granted.store
        virtuoso = isinstance(store, RemoteStore) and store.is_virtuoso
        if not (virtuoso and "transitive start not given" in str(exc)):
            raise
